"""
Trains a model in PyTorch on windows exported by `npm run cli -- export-windows` and writes it in the
golden format that `npm run cli -- import-model` (or the Models view) takes with the export's
encoding.json. The module layout is the one Candle Lens reads: `convs.i`, `bns.i` (batch-norm, ReLU
after each), global average pooling, `fc` to the classes buy, hold, sell.

    npm run cli -- export-windows --csv ../shared/data/bybit_BTCUSDT_1m.csv --kind image-cnn --out windows
    /usr/bin/python3 scripts/pytorch/train_windows.py windows --epochs 3 --out model.json
    npm run cli -- import-model --pytorch model.json --spec windows/encoding.json

With --check FILE it also writes, for the first test windows (their end times beside them), the logits,
the predicted class's Grad-CAM and a cnn-lstm's gradient x input per LSTM step, which
tests/unit/export-windows.test.ts compares with what the app computes from the candles.
Needs python3-torch and python3-numpy; never run by CI.
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CONVS = {"financial-cnn": [(32, 5), (64, 5), (128, 3)], "gaf-cnn": [(16, 3), (32, 3)], "image-cnn": [(16, 3), (32, 3)], "cnn-lstm": [(16, 3), (32, 3)]}
ARCHITECTURES = {"financial-cnn": "FinancialCNN", "gaf-cnn": "GafCNN", "image-cnn": "ImageCNN", "cnn-lstm": "CnnLSTM"}
LSTM_HIDDEN = 32


def image_size(kind, T):
    """The input's spatial shape per window: time for the FinancialCNN, the image's rows and columns otherwise."""
    return {"financial-cnn": (T,), "gaf-cnn": (T, T), "image-cnn": (64, 3 * T), "cnn-lstm": (64, 3 * T)}[kind]


def split_input(kind, x, T):
    """An export's rows [N, C, P] → the network's inputs: the image (or series), and a cnn-lstm's LSTM steps [N, T, 1]."""
    N, C, P = x.shape
    if kind != "cnn-lstm":
        return (x.reshape(N, C, *image_size(kind, T)),)
    return x[:, :, : P - T].reshape(N, C, 64, 3 * T), x[:, 0, P - T :].reshape(N, T, 1)


class Cnn(nn.Module):
    """convs.i and bns.i (ReLU after each), global average pooling, then fc; a cnn-lstm's fc also reads its LSTM's last hidden state."""

    def __init__(self, channels, classes, convs, two_d, lstm_hidden=0):
        super().__init__()
        Conv, Norm = (nn.Conv2d, nn.BatchNorm2d) if two_d else (nn.Conv1d, nn.BatchNorm1d)
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        for filters, kernel in convs:
            self.convs.append(Conv(channels, filters, kernel, padding=kernel // 2))
            self.bns.append(Norm(filters))
            channels = filters
        if lstm_hidden > 0:
            self.lstm = nn.LSTM(1, lstm_hidden, batch_first=True)
        self.fc = nn.Linear(channels + lstm_hidden, classes)

    def trunk(self, x):
        for conv, bn in zip(self.convs, self.bns):
            x = F.relu(bn(conv(x)))
        return x

    def head(self, activation, steps=None):
        pooled = activation.flatten(2).mean(dim=2)
        if steps is None:
            return self.fc(pooled)
        _, (h, _) = self.lstm(steps)
        return self.fc(torch.cat([pooled, h[-1]], 1))

    def forward(self, x, steps=None):
        return self.head(self.trunk(x), steps)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("windows")
    parser.add_argument("--out", default="model.json")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    encoding = json.load(open(os.path.join(args.windows, "encoding.json")))
    kind, T = encoding["kind"], encoding["windowLength"]
    if kind not in CONVS:
        raise SystemExit(f"this script trains {', '.join(CONVS)}; the export is a {kind}")
    inputs = np.load(os.path.join(args.windows, "inputs.npy"))
    labels = np.load(os.path.join(args.windows, "labels.npy"))
    ends = np.load(os.path.join(args.windows, "window_ends.npy"))
    split = np.load(os.path.join(args.windows, "split.npy"))
    N, C, _ = inputs.shape
    x = split_input(kind, torch.from_numpy(inputs), T)
    y = torch.from_numpy(labels)
    hidden = LSTM_HIDDEN if kind == "cnn-lstm" else 0
    model = Cnn(C, 3, CONVS[kind], kind != "financial-cnn", hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train = torch.from_numpy(np.flatnonzero(split == 0))
    for epoch in range(args.epochs):
        model.train()
        for batch in train[torch.randperm(len(train))].split(64):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(*(part[batch] for part in x)), y[batch])
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch + 1}: last batch loss {loss.item():.4f}")
    model.eval()

    state = {k: {"shape": list(v.shape), "data": v.detach().double().flatten().tolist()} for k, v in model.state_dict().items() if "num_batches" not in k}
    json.dump(
        {
            "architecture": ARCHITECTURES[kind],
            "sequence_length": T,
            "input_channels": C,
            "num_classes": 3,
            "batchnorm_eps": 1e-5,
            "convs": [{"filters": f, "kernel_size": k, "padding": k // 2} for f, k in CONVS[kind]],
            **({"lstm": {"hidden": hidden}} if hidden > 0 else {}),
            "state_dict": state,
        },
        open(args.out, "w"),
    )
    if args.check:
        # Nine significant digits: float32's, what the app computes in.
        rounded = json.loads(json.dumps(checks(model, x, np.flatnonzero(split == 2)[:4], ends)), parse_float=lambda v: float(f"{float(v):.9g}"))
        json.dump(rounded, open(args.check, "w"))


def checks(model, x, windows, ends):
    """Per window: the logits; the predicted class's Grad-CAM over the last block (cells, over its max as the app
    normalizes a map whose LSTM steps hold zeros); a cnn-lstm's gradient x input per LSTM step."""
    out = {"window_ends": ends[windows].tolist(), "logits": [], "gradcam": [], "lstm_grad_x_input": []}
    for n in windows:
        inputs = [part[n : n + 1].clone().requires_grad_(True) for part in x]
        activation = model.trunk(inputs[0])
        activation.retain_grad()
        logits = model.head(activation, *inputs[1:])[0]
        logits[int(logits.argmax())].backward()
        alpha = activation.grad[0].flatten(1).mean(dim=1)
        cam = F.relu((alpha[:, None, None] * activation[0]).sum(0)).detach().flatten()
        out["logits"].append(logits.detach().double().tolist())
        out["gradcam"].append((cam / (cam.max() + 1e-8)).double().tolist())
        if len(inputs) > 1:
            out["lstm_grad_x_input"].append((inputs[1].grad * inputs[1]).detach().flatten().double().tolist())
    return out


if __name__ == "__main__":
    main()
