"""
A gaf-cnn golden of any size, computed with PyTorch autograd in double precision, in the format of
../shared/golden/README.md ("Golden reference for a Gramian-angular-field CNN"): model.json and
cases.json, which `npm run cli -- parity DIR` checks. It is also the PyTorch side of a gaf-cnn that
`import-model` takes: the module below is the layout Candle Lens reads (convs.i, bns.i, fc).

    /usr/bin/python3 scripts/golden/gaf_cnn.py OUT_DIR --length 20 --convs 8:5,16:3,16:3 --classes 2 --seed 1

Needs python3-torch (Debian's 1.13 is enough); never run by CI, whose tests read the committed output.
"""
import argparse
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


class GafCNN(nn.Module):
    def __init__(self, channels, classes, convs):
        super().__init__()
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        for filters, kernel in convs:
            self.convs.append(nn.Conv2d(channels, filters, kernel, padding=kernel // 2))
            self.bns.append(nn.BatchNorm2d(filters))
            channels = filters
        self.fc = nn.Linear(channels, classes)

    def features(self, x):
        for conv, bn in zip(self.convs, self.bns):
            x = F.relu(bn(conv(x)))
        return x

    def forward(self, x):
        return self.fc(self.features(x).mean(dim=(2, 3)))


def gaf(closes):
    """GASF and GADF of one window's closes, [2, T, T] (Wang & Oates, 2015)."""
    lo, hi = closes.min(), closes.max()
    x = torch.zeros_like(closes) if hi == lo else ((2 * closes - hi - lo) / (hi - lo)).clamp(-1, 1)
    phi = torch.arccos(x)
    return torch.stack([torch.cos(phi[:, None] + phi[None, :]), torch.sin(phi[:, None] - phi[None, :])])


def normalized(cam):
    return (cam - cam.min()) / (cam.max() - cam.min() + 1e-8)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--length", type=int, default=20)
    parser.add_argument("--convs", default="8:5,16:3")
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--cases", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    convs = [tuple(int(v) for v in block.split(":")) for block in args.convs.split(",")]
    T = args.length
    model = GafCNN(2, args.classes, convs).double()
    # Batch-norm statistics away from (0, 1), so inference mode is really checked.
    for bn in model.bns:
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
        bn.weight.data.uniform_(0.5, 1.5)
        bn.bias.data.uniform_(-0.2, 0.2)
    model.eval()

    # Random-walk closes, one window with a flat stretch (its GAF angles hit the arccos edges).
    series = 100 * torch.exp(torch.cumsum(0.002 * torch.randn(args.cases, T, dtype=torch.float64), dim=1))
    series[-1, : T // 2] = series[-1, 0]
    cases = {k: [] for k in ["series", "gaf", "logits", "probabilities", "predicted_class", "gradcam_raw", "gradcam", "gradcam_time"]}
    for closes in series:
        image = gaf(closes)[None]
        activation = model.features(image)
        activation.retain_grad()
        logits = model.fc(activation.mean(dim=(2, 3)))[0]
        raw, norm, time = [], [], []
        for target in range(args.classes):
            activation.grad = None
            logits[target].backward(retain_graph=True)
            alpha = activation.grad[0].mean(dim=(1, 2))
            cam = F.relu((alpha[:, None, None] * activation[0]).sum(0)).detach()
            raw.append(cam.tolist())
            norm.append(normalized(cam).tolist())
            time.append(normalized((cam.sum(1) + cam.sum(0)) / 2).tolist())
        cases["series"].append(closes.tolist())
        cases["gaf"].append(image[0].tolist())
        cases["logits"].append(logits.detach().tolist())
        cases["probabilities"].append(torch.softmax(logits.detach(), 0).tolist())
        cases["predicted_class"].append(int(logits.argmax()))
        cases["gradcam_raw"].append(raw)
        cases["gradcam"].append(norm)
        cases["gradcam_time"].append(time)

    state = {k: {"shape": list(v.shape), "data": v.detach().double().flatten().tolist()} for k, v in model.state_dict().items() if "num_batches" not in k}
    spec = {
        "architecture": "GafCNN",
        "image": "GASF and GADF of the min-max rescaled closes",
        "sequence_length": T,
        "input_channels": 2,
        "num_classes": args.classes,
        "convs": [{"filters": f, "kernel_size": k, "padding": k // 2} for f, k in convs],
        "batchnorm_eps": 1e-5,
        "layout": "channels_first [2, T, T]",
        "state_dict": state,
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "model.json"), "w") as f:
        json.dump(spec, f)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    main()
