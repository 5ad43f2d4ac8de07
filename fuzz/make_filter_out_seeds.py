#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Writes the seeds of fuzz/corpus/filter_out in the encoding that
fuzz/filter_out_fuzz.cpp decodes (see its header comment): a setup header,
then base64 text or gzip members, valid and broken. Run from the repo root;
libFuzzer adds the rest."""
import base64, gzip, io, os, struct, zlib

IGZIP, URL, NOPAD, WS, EXC, BYTES = 1, 2, 4, 8, 16, 32

def header(flags, fexp=14, fsize=0xFFFF, device=0, gexp=16, gsize=0xFFFF, chunks=(4096,)):
    out = bytes([flags, fexp]) + struct.pack('<H', fsize) + bytes([device, gexp])
    out += struct.pack('<H', gsize) + bytes([len(chunks) - 1])
    for c in chunks:
        out += struct.pack('<H', (c - 1) % 4096)
    return out

def member(data, level=6, name=None, mtime=0):
    b = io.BytesIO()
    with gzip.GzipFile(filename=name or '', mode='wb', compresslevel=level, fileobj=b,
                       mtime=mtime) as f:
        f.write(data)
    return b.getvalue()

text = b'hello, hello, hello filter_out\n' * 20
blob = bytes((i * 37 + 11) % 256 for i in range(700))
b64 = base64.b64encode(blob)
url = base64.urlsafe_b64encode(blob).rstrip(b'=')
wrapped = base64.encodebytes(blob)  # 76-column lines, "\n"
one = member(text, 6)
two = member(b'second', 1, name='n.txt', mtime=1700000000)

SEEDS = {
    'b64_valid': header(0) + b64,
    'b64_valid_small_buffers': header(EXC, fexp=0, device=1, chunks=(1, 2, 3)) + b64,
    'b64_url_nopad': header(URL | NOPAD | BYTES, fexp=3, chunks=(7,)) + url,
    'b64_wrapped_ws': header(WS | EXC, fexp=20, chunks=(76, 1)) + wrapped,
    'b64_bad_char': header(0, fexp=1) + b'QUJD*',
    'b64_bad_char_late': header(BYTES, fexp=20) + b64 + b'*',
    'b64_pad_disabled': header(NOPAD) + b'=',
    'b64_missing_pad': header(EXC) + b64[:-1],
    'b64_trailing_bits': header(0) + b'YWF=',
    'b64_data_after_pad': header(BYTES, fexp=2) + b'Zg==Zm9v',
    'b64_misplaced_pad': header(EXC, chunks=(2,)) + b'Zm=v',
    'b64_empty': header(0),
    'b64_ws_not_allowed': header(0, chunks=(3,)) + b'Zm9v\nYmFy',
    'gz_member': header(IGZIP) + one,
    'gz_member_tiny_buffers': header(IGZIP | EXC, fexp=0, gexp=0, device=1, chunks=(1,)) + one,
    'gz_two_members': header(IGZIP | BYTES, fexp=20, gexp=20, chunks=(5, 300)) + one + two,
    'gz_levels': header(IGZIP) + member(text, 1) + member(blob, 9) + member(b'', 6),
    'gz_fname': header(IGZIP | EXC, chunks=(3,)) + two,
    'gz_trailing_zero': header(IGZIP) + member(b'hello\n') + b'\0',
    'gz_trailing_garbage': header(IGZIP | BYTES, fexp=20) + one + b'junk',
    'gz_truncated_header': header(IGZIP) + one[:5],
    'gz_truncated_data': header(IGZIP | EXC, gexp=3) + one[:len(one) // 2],
    'gz_truncated_trailer': header(IGZIP) + one[:-3],
    'gz_bad_crc': header(IGZIP, fexp=20) + one[:-8] + bytes([one[-8] ^ 1]) + one[-7:],
    'gz_bad_isize': header(IGZIP | BYTES) + one[:-4] + bytes([one[-4] ^ 1]) + one[-3:],
    'gz_bad_magic': header(IGZIP) + b'\x1e' + one[1:],
    'gz_bad_method': header(IGZIP) + one[:2] + b'\x07' + one[3:],
    'gz_reserved_flags': header(IGZIP) + one[:3] + b'\xe0' + one[4:],
    'gz_bad_deflate': header(IGZIP, gexp=5) + one[:12] + bytes([one[12] ^ 0x40]) + one[13:],
    'gz_empty': header(IGZIP),
    'gz_stored': header(IGZIP, chunks=(9,)) + member(blob, 0),
}

def main():
    d = os.path.join('fuzz', 'corpus', 'filter_out')
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)

if __name__ == '__main__':
    main()
