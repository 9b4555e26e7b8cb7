"""chunked_stream.py: seed M13: XOR-invert a synthetic image in 1024-byte
chunks, a fresh bytes object per chunk, as the seed's comprehension does
(4 MiB by default; the seed's 64 MiB takes minutes in pure Python).  The
image is generated from a seeded linear congruential generator."""
import io

import _hb


def make_image(size):
    x = 12345
    out = bytearray(size)
    for i in range(0, size, 8):
        x = (x * 6364136223846793005 + 1442695040888963407) & _hb.MASK
        out[i:i + 8] = x.to_bytes(8, "little")[: size - i]
    return bytes(out)


def process_image_in_chunks(f, chunk_size, c):
    total = 0
    while True:
        chunk = f.read(chunk_size)
        if not chunk:
            break
        processed_chunk = bytes([b ^ 0xFF for b in chunk])
        total += processed_chunk[0] + processed_chunk[-1]
        c.add(int.from_bytes(processed_chunk[:8], "little"))
    return total


def main():
    size = _hb.sized(4 << 20, _hb.scale(), 1024)
    image = make_image(size)
    c = _hb.Checksum()
    c.add(process_image_in_chunks(io.BytesIO(image), 1024, c))
    _hb.report("chunked_stream", c)


main()
