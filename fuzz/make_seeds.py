#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Writes the hand-made seeds of fuzz/corpus/bytes_buf, spooled_buf and span_buf in the
encoding fuzz/op_sequence.hpp decodes (one byte per op, then its operands).
Run from the repo root after changing the encoding; libFuzzer adds the rest."""
import os, struct

OPS = dict(write=0, readinto=1, read=2, readline=3, readlines=4, seek=5, truncate=6,
           getvalue=7, getbuffer=8, release=9, poke=10, take=11, clear=12, close=13,
           reserve=14, limit=15, put=16, get=17, sread=18, swrite=19, seekg=20, seekp=21,
           putback=22, unget=23, tell_s=24, peek=25, reopen=26, write_sv=27, rollover=28,
           tell=29)
BEG, CUR, END = 0, 1, 2

def off(v):  # decode_offset: kind 4 = a small signed offset (|v| < 300)
    specials = {'max': 0, 'min': 1, 'far': 2, '-far': 3}
    if v in specials:
        return bytes([specials[v]])
    return bytes([4]) + struct.pack('<h', v)

def enc(*ops):
    out = b''
    for op in ops:
        name, args = op[0], op[1:]
        out += bytes([OPS[name]])
        if name in ('write', 'swrite', 'write_sv'):
            out += bytes([len(args[0])]) + args[0]
        elif name in ('seek', 'seekg', 'seekp'):
            out += off(args[0]) + bytes([args[1]])
        elif name == 'truncate':  # ('truncate',) at the position, ('truncate', n)
            out += bytes([1, 0]) if not args else bytes([0, 1]) + struct.pack('<H', args[0])
        elif name == 'tell_s':
            out += bytes([args[0] if args else 0])
        else:
            out += bytes(args)
    return out

SEEDS = {
    'write_read': enc(('write', b'hello'), ('seek', 0, BEG), ('read', 255), ('read', 3)),
    'lines': enc(('write', b'ab\ncd\n\nef\ngh'), ('seek', 0, BEG), ('readline', 255),
                 ('readline', 1), ('readlines', 0), ('seek', 1, BEG), ('readlines', 4),
                 ('seek', -4, END), ('readline', 255)),
    'gap': enc(('seek', 10, BEG), ('write', b'xyz'), ('getvalue',), ('seek', 5, CUR),
               ('put', ord('p')), ('seek', 2, END), ('swrite', b'tail')),
    'export': enc(('write', b'abcd'), ('getbuffer',), ('write', b'z'), ('poke', 0, 1, 65),
                  ('truncate', 1), ('close',), ('put', 66), ('putback', 0), ('seek', 1, BEG),
                  ('putback', 66), ('getbuffer',), ('release', 0x80), ('release', 0),
                  ('truncate', 1), ('take',)),
    'close': enc(('write', b'hi'), ('close',), ('read', 255), ('put', 65), ('get',),
                 ('seekg', 0, BEG), ('tell_s', 1), ('close',), ('reopen',), ('write', b'a')),
    'limit': enc(('limit', 8), ('write', b'0123456789'), ('swrite', b'abcdefghijkl'),
                 ('put', 66), ('seek', 2, BEG), ('write', b'xy'), ('limit', 255),
                 ('swrite', b'xyz')),
    'stream': enc(('swrite', b'stream'), ('seekg', 0, BEG), ('get',), ('get',),
                  ('putback', ord('Q')), ('unget',), ('sread', 10), ('seekp', -2, END),
                  ('put', ord('!')), ('tell_s', 0), ('tell_s', 1), ('peek',), ('seekg', 9, END),
                  ('unget',), ('peek',), ('putback', 0)),
    'seek_edges': enc(('seek', 'max', BEG), ('seek', 'max', CUR), ('seek', 'min', END),
                      ('seek', -1, BEG), ('seek', 'far', END), ('tell',), ('seekg', 'max', CUR),
                      ('seekp', '-far', END), ('seekg', -5, BEG), ('seek', 0, BEG),
                      ('write', b'x')),
    'take_reopen': enc(('write', b'abc'), ('take',), ('write', b'd'), ('reopen',),
                       ('write_sv', b'e'), ('reserve', 1), ('reserve', 0), ('clear',), ('tell',)),
    'truncate': enc(('write', b'0123456789'), ('seek', 4, BEG), ('truncate',), ('tell',),
                    ('write', b'ab'), ('truncate', 2), ('seek', 0, END), ('write', b'!'),
                    ('readinto', 4), ('seek', 0, BEG), ('readinto', 200)),
}

def main():
    for target, prefix in (('bytes_buf', b''), ('spooled_buf', bytes([2]))):
        d = os.path.join('fuzz', 'corpus', target)
        os.makedirs(d, exist_ok=True)
        for name, data in SEEDS.items():
            with open(os.path.join(d, name), 'wb') as f:
                f.write(prefix + data)
    # span_buf: the length and the bytes of the memory read, then the ops.
    memory = b'first line\nsecond\n\xff\x00third'
    d = os.path.join('fuzz', 'corpus', 'span_buf')
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(bytes([len(memory)]) + memory + data)
    with open(os.path.join(d, 'reads'), 'wb') as f:
        f.write(bytes([len(memory)]) + memory + enc(
            ('readline', 255), ('readline', 3), ('sread', 5), ('get',), ('putback', ord('x')),
            ('unget',), ('putback', ord('s')), ('seek', -3, END), ('readlines', 0),
            ('seekg', 2, BEG), ('peek',), ('put', 65), ('swrite', b'no'), ('readinto', 40),
            ('seek', 'far', CUR), ('read', 255), ('close',), ('read', 1), ('reopen',),
            ('read', 255)))
    with open('fuzz/corpus/spooled_buf/rollover', 'wb') as f:
        f.write(bytes([6]) + enc(('write', b'abcde'), ('rollover',), ('seek', 2, BEG),
                                 ('write', b'xyz'), ('read', 255), ('truncate', 1),
                                 ('sread', 20), ('seekg', 0, BEG), ('get',)))
    with open('fuzz/corpus/spooled_buf/cross', 'wb') as f:
        f.write(bytes([0]) + enc(('swrite', b'0123456789' * 4), ('seekg', -5, CUR), ('get',),
                                 ('get',), ('putback', ord('Z')), ('unget',), ('readline', 255),
                                 ('truncate', 5), ('getvalue',)))

if __name__ == '__main__':
    main()
