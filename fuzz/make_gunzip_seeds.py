#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Writes the seeds of fuzz/corpus/gunzip in the encoding that
fuzz/gunzip_fuzz.cpp decodes (see its header comment): the spacing byte, the
gzip input (valid members, members whose output crosses several index
points, broken ones), then operations. Run from the repo root; libFuzzer
adds the rest."""
import gzip, io, os, random, struct, zlib

def member(data, level=6, name=None):
    b = io.BytesIO()
    with gzip.GzipFile(filename=name or '', mode='wb', compresslevel=level, fileobj=b, mtime=0) as f:
        f.write(data)
    return b.getvalue()

def stored(data):
    c = zlib.compressobj(0, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()

r = random.Random(7)
rows = b''.join(b'%d,%s,%d\n' % (i, r.choice([b'Oslo', b'Lima', b'Quito']), r.randrange(1000))
                for i in range(250))
big = rows * 60                              # ~200 KiB of output in about 2 KiB
text = b'hello, hello, hello gunzip_buf\n' * 40

def bgzf_block(data):
    """One BGZF block as htslib writes it: FEXTRA with 'BC' = block size - 1."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = c.compress(data) + c.flush()
    size = 18 + len(deflated) + 8
    header = bytes([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0])
    return (header + struct.pack('<H', size - 1) + deflated +
            struct.pack('<II', zlib.crc32(data), len(data)))

def ops(n, seed):
    g = random.Random(seed)
    return bytes(g.randrange(256) for _ in range(4 * n))

def seed(spacing, gz, n_ops, s):
    return bytes([spacing]) + struct.pack('<H', len(gz)) + gz + ops(n_ops, s)

good = member(text, 6)
points = member(big, 9)
two = member(text, 1) + member(big, 6, name='b.csv')
bad_crc = bytearray(points); bad_crc[-8] ^= 1
seeds = {
    'one_member': seed(0, good, 40, 1),
    'points_32k': seed(0, points, 120, 2),
    'points_64k': seed(1, points, 120, 3),
    'two_members': seed(0, two, 120, 4),
    'stored_blocks': seed(0, stored(text[:600]) + stored(text[:900]), 60, 5),
    'empty_member': seed(0, member(b'') + good, 30, 6),
    'truncated': seed(0, points[:len(points) // 2], 80, 7),
    'bad_crc': seed(0, bytes(bad_crc), 80, 8),
    'trailing_garbage': seed(0, good + b'junk', 30, 9),
    'zeros_bomb': seed(2, member(bytes(1 << 20), 9), 100, 10),
    'not_gzip': seed(0, b'plain text, not gzip at all', 10, 11),
    'bgzf': seed(0, bgzf_block(big[:60000]) + bgzf_block(big[60000:120000]) +
                 bgzf_block(text) + bgzf_block(b''), 120, 12),
}
os.makedirs('fuzz/corpus/gunzip', exist_ok=True)
for name, data in seeds.items():
    assert len(data) <= 4096, (name, len(data))
    with open(os.path.join('fuzz/corpus/gunzip', name), 'wb') as f:
        f.write(data)
