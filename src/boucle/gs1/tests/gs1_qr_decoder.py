"""A minimal QR Code reader for tests: module matrix -> byte-mode payload.

segno encodes but cannot decode; this reads the symbol back the way a scanner
does (unmask, zigzag read, de-interleave data codewords, parse segments) so the
tests check what a phone would actually read. Only byte-mode payloads, which is
what a DL URI uses. Error correction codewords are skipped (the matrix is
clean), and the block table is segno's constant table (ISO/IEC 18004 Table 9).
"""

import segno.consts

_MASKS = [
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
]
_EC_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}


def _alignment_centres(version: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    size = 17 + 4 * version
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    centres = [size - 7 - i * step for i in range(count - 1)]
    return [6] + sorted(centres)


def _function_modules(version: int) -> set[tuple[int, int]]:
    size = 17 + 4 * version
    f = set()
    for r in range(9):
        for c in range(9):
            f.add((r, c))  # top-left finder, separator, format info
    for r in range(9):
        for c in range(size - 8, size):
            f.add((r, c))
    for r in range(size - 8, size):
        for c in range(9):
            f.add((r, c))
    for k in range(size):
        f.add((6, k))
        f.add((k, 6))
    centres = _alignment_centres(version)
    for r in centres:
        for c in centres:
            if (r, c) in ((6, 6), (6, size - 7), (size - 7, 6)):
                continue
            f.update((r + dr, c + dc) for dr in range(-2, 3) for dc in range(-2, 3))
    if version >= 7:
        for a in range(6):
            for b in range(size - 11, size - 8):
                f.add((a, b))
                f.add((b, a))
    return f


def decode(qr) -> bytes:
    """The byte-mode payload of a segno QRCode, read from its module matrix."""
    version, matrix = qr.version, qr.matrix
    size = len(matrix)
    mask = _MASKS[qr.mask]
    function = _function_modules(version)
    bits = []
    upward = True
    col = size - 1
    while col > 0:
        if col == 6:
            col -= 1
        rows = range(size - 1, -1, -1) if upward else range(size)
        for r in rows:
            for c in (col, col - 1):
                if (r, c) not in function:
                    bits.append(matrix[r][c] ^ int(mask(r, c)))
        upward = not upward
        col -= 2
    codewords = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]
    blocks = []
    for ec in segno.consts.ECC[version][_EC_BITS[qr.error]]:
        blocks.extend([ec.num_data] * ec.num_blocks)
    data = [[] for _ in blocks]
    it = iter(codewords)
    for i in range(max(blocks)):
        for b, n in enumerate(blocks):
            if i < n:
                data[b].append(next(it))
    stream = "".join(f"{cw:08b}" for block in data for cw in block)
    out = bytearray()
    pos = 0
    while pos + 4 <= len(stream):
        mode = int(stream[pos : pos + 4], 2)
        pos += 4
        if mode == 0:
            break
        assert mode == 4, f"only byte mode is supported, got mode {mode}"
        width = 8 if version < 10 else 16
        count = int(stream[pos : pos + width], 2)
        pos += width
        for _ in range(count):
            out.append(int(stream[pos : pos + 8], 2))
            pos += 8
    return bytes(out)
