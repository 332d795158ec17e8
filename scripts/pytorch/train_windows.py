"""
Trains a model in PyTorch on windows exported by `npm run cli -- export-windows` and writes it in the
golden format that `npm run cli -- import-model` (or the Models view) takes with the export's
encoding.json. The module layout is the one Candle Lens reads: `convs.i`, `bns.i` (batch-norm, ReLU
after each), global average pooling, `fc` to the classes buy, hold, sell.

    npm run cli -- export-windows --csv ../shared/data/bybit_BTCUSDT_1m.csv --kind image-cnn --out windows
    /usr/bin/python3 scripts/pytorch/train_windows.py windows --epochs 3 --out model.json
    npm run cli -- import-model --pytorch model.json --spec windows/encoding.json

With --check FILE it also writes the logits of the first test windows (their end times beside them),
which tests/unit/export-windows.test.ts compares with what the app computes from the candles.
Needs python3-torch and python3-numpy; never run by CI.
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CONVS = {"financial-cnn": [(32, 5), (64, 5), (128, 3)], "gaf-cnn": [(16, 3), (32, 3)], "image-cnn": [(16, 3), (32, 3)]}
ARCHITECTURES = {"financial-cnn": "FinancialCNN", "gaf-cnn": "GafCNN", "image-cnn": "ImageCNN"}


def image_size(kind, T):
    """The input's spatial shape per window: time for the FinancialCNN, the image's rows and columns otherwise."""
    return {"financial-cnn": (T,), "gaf-cnn": (T, T), "image-cnn": (64, 3 * T)}[kind]


class Cnn(nn.Module):
    def __init__(self, channels, classes, convs, two_d):
        super().__init__()
        Conv, Norm = (nn.Conv2d, nn.BatchNorm2d) if two_d else (nn.Conv1d, nn.BatchNorm1d)
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        for filters, kernel in convs:
            self.convs.append(Conv(channels, filters, kernel, padding=kernel // 2))
            self.bns.append(Norm(filters))
            channels = filters
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        for conv, bn in zip(self.convs, self.bns):
            x = F.relu(bn(conv(x)))
        return self.fc(x.flatten(2).mean(dim=2))


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
    x = torch.from_numpy(inputs).reshape(N, C, *image_size(kind, T))
    y = torch.from_numpy(labels)
    model = Cnn(C, 3, CONVS[kind], kind != "financial-cnn")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train = torch.from_numpy(np.flatnonzero(split == 0))
    for epoch in range(args.epochs):
        model.train()
        for batch in train[torch.randperm(len(train))].split(64):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x[batch]), y[batch])
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
            "state_dict": state,
        },
        open(args.out, "w"),
    )
    if args.check:
        test = np.flatnonzero(split == 2)[:8]
        with torch.no_grad():
            logits = model(x[test]).double().tolist()
        json.dump({"window_ends": ends[test].tolist(), "logits": logits}, open(args.check, "w"))


if __name__ == "__main__":
    main()
