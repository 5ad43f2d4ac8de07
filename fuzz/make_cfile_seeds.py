#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Writes the hand-made seeds of fuzz/corpus/cfile in the encoding that
test/support/cfile_differential.hpp decodes (draw_cfile_setup, then one byte
per call and its operands). Run from the repo root after changing the
encoding; libFuzzer adds the rest."""
import os, random, struct

MODES = dict(r=0, rp=1, w=2, wp=3, a=4, ap=5)
FWRITE, FPUTC, FREAD, FGETC, UNGETC, FSEEKO, FTELLO, FFLUSH, CLEARERR, REWIND = 0, 2, 3, 5, 6, 7, 10, 12, 14, 15

def setup(mode, buffering=0, subject=0, size=0):
    if size < 64:
        out = bytes([MODES[mode], buffering, subject, 1, size])
    else:
        out = bytes([MODES[mode], buffering, subject, 3]) + struct.pack('<H', size)
    return out + bytes([0])  # the initial contents' salt

def fwrite(n, salt=65):
    if n < 40:
        return bytes([FWRITE, 1, n, salt])
    return bytes([FWRITE, 0]) + struct.pack('<H', n) + bytes([salt])

def fread(n):
    return bytes([FREAD, 1, n]) if n < 40 else bytes([FREAD, 0]) + struct.pack('<H', n)

def seek_set(off):
    return bytes([FSEEKO, 0, 1]) + struct.pack('<HH', 0, off)

def seek_cur(off):  # -100 <= off < 100
    return bytes([FSEEKO, 1, 1, 1]) + struct.pack('<H', off + 100)

def seek_end(off):
    return bytes([FSEEKO, 1, 0, 1]) + struct.pack('<H', off + 100)

SEEDS = {
    # The reproduction: a write inside stdio's read-ahead, then SEEK_CUR.
    'read_ahead_write': setup('rp', size=10) + bytes([FGETC]) + seek_set(2) + fwrite(2) +
                        seek_cur(0) + bytes([FTELLO]) + fwrite(2, 66),
    'far_write': setup('rp', size=19999) + fwrite(10) + seek_set(100) + fwrite(20) +
                 seek_cur(0) + bytes([FTELLO]) + fwrite(5) + seek_cur(-1) + bytes([FGETC]),
    'w_plus': setup('wp', buffering=2) + fwrite(30) + seek_set(3) + fread(5) + seek_cur(0) +
              fwrite(4) + seek_cur(-2) + bytes([FTELLO, FFLUSH]),
    'append': setup('a', size=20) + bytes([FTELLO]) + seek_set(0) + fwrite(3) + bytes([FTELLO]),
    'append_read': setup('ap', buffering=1, size=30) + fread(10) + seek_cur(0) + fwrite(4) +
                   bytes([FTELLO]) + seek_end(-5) + fread(10),
    'ungetc': setup('r', buffering=2, subject=1, size=50) + bytes([FGETC, UNGETC, FTELLO]) +
              fread(9) + bytes([UNGETC]) + seek_set(0) + bytes([FGETC]),
    'errors': setup('r', size=5) + fwrite(3) + bytes([CLEARERR]) + seek_set(0) +
              bytes([FSEEKO, 0, 0, 0, 0]) + bytes([REWIND, FGETC]),
    'rolling': setup('wp', subject=2) + fwrite(50) + fwrite(30) + seek_cur(-60) + fread(20) +
               bytes([FFLUSH]),
}

if __name__ == '__main__':
    d = os.path.join('fuzz', 'corpus', 'cfile')
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
    rng = random.Random(22)  # a few long random ones, every mode and buffering
    for i in range(12):
        with open(os.path.join(d, 'random_%02d' % i), 'wb') as f:
            f.write(bytes([i % 6, i % 3, i % 3]) + bytes(rng.randrange(256) for _ in range(600)))
