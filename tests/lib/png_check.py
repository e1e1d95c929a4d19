#!/usr/bin/env python3
"""Is a PNG a real picture? Decodes it (8-bit greyscale/RGB/RGBA, not interlaced: what
Chromium and gnuplot write) and prints width, height, the share of non-background pixels
and the number of distinct colours. Exit 0 when it is at least MIN_W x MIN_H with at least
MIN_INK of non-background pixels and MIN_COLOURS colours; else 1."""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 6: 4, 4: 2}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {ctype})")
    raw = zlib.decompress(idat)
    stride = w * channels
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, channels, rows


def main(path, min_w=400, min_h=300, min_ink=0.01, min_colours=8):
    w, h, ch, rows = decode(path)
    background = rows[0][:ch]
    ink, colours = 0, set()
    for y in range(0, h, 2):
        row = rows[y]
        for x in range(0, w, 2):
            px = row[x * ch:(x + 1) * ch]
            colours.add(px)
            ink += px != background
    share = ink / ((h + 1) // 2 * ((w + 1) // 2))
    print(f"{path}: {w}x{h}, {share:.1%} non-background, {len(colours)} colours")
    return 0 if w >= min_w and h >= min_h and share >= min_ink and len(colours) >= min_colours else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
