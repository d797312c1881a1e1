"""Images for the profile media tests, made at test time: PNGs written by hand, JPEGs by ffmpeg, EXIF
spliced in by hand; and a minimal JPEG reader (dimensions, metadata segments, pixels through ffmpeg)."""

import struct
import subprocess
import zlib


def png(width, height, rgb=(200, 30, 30)):
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def png_bomb():
    """A valid 16×16 PNG whose header claims 100000×100000 pixels (30 GB decoded)."""
    data = bytearray(png(16, 16))
    data[16:24] = struct.pack(">II", 100_000, 100_000)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00"
       b"\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b")


def red_blue_jpeg(width, height):
    """Left half red, right half blue, encoded by ffmpeg."""
    half = width // 2
    graph = (f"color=c=red:s={half}x{height}[l];color=c=blue:s={width - half}x{height}[r];"
             f"[l][r]hstack,format=yuvj444p")
    p = subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", graph, "-frames:v", "1", "-q:v", "2",
                        "-f", "mjpeg", "-"], capture_output=True, check=True, timeout=60)
    return p.stdout


def exif_segment(orientation):
    """APP1 Exif: IFD0 with Orientation and a GPS IFD with a latitude (48°51'29" N)."""
    def entry(tag, kind, count, value):
        return struct.pack("<HHII", tag, kind, count, value)

    tiff = b"II*\x00" + struct.pack("<I", 8)
    tiff += struct.pack("<H", 2) + entry(0x0112, 3, 1, orientation) + entry(0x8825, 4, 1, 38) + struct.pack("<I", 0)
    tiff += struct.pack("<H", 2) + entry(0x0001, 2, 2, ord("N")) + entry(0x0002, 5, 3, 68) + struct.pack("<I", 0)
    tiff += struct.pack("<6I", 48, 1, 51, 1, 29, 1)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def with_exif(jpeg, orientation=6):
    return jpeg[:2] + exif_segment(orientation) + jpeg[2:]


def jpeg_segments(data):
    """[(marker, payload)] up to the start of scan; raises on anything that is not a JPEG."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out, i = [], 2
    while i < len(data):
        if data[i] != 0xFF:
            raise ValueError("bad marker at %d" % i)
        marker = data[i + 1]
        if marker == 0xD9:
            break
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        out.append((marker, data[i + 4:i + 2 + length]))
        if marker == 0xDA:
            break
        i += 2 + length
    return out


def jpeg_size(data):
    for marker, payload in jpeg_segments(data):
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", payload[1:5])
            return width, height
    raise ValueError("no SOF")


def jpeg_has_metadata(data):
    """True when any APP1 (EXIF, XMP), APP2 (ICC) or APP13 (IPTC) segment is present."""
    return any(marker in (0xE1, 0xE2, 0xED) for marker, _ in jpeg_segments(data))


def rgb_pixels(jpeg, width, height):
    """Decodes with ffmpeg into rows of (r, g, b)."""
    p = subprocess.run(["ffmpeg", "-v", "error", "-f", "mjpeg", "-i", "-", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                       input=jpeg, capture_output=True, check=True, timeout=60)
    raw = p.stdout
    assert len(raw) == width * height * 3, (len(raw), width, height)
    return lambda x, y: tuple(raw[(y * width + x) * 3:(y * width + x) * 3 + 3])


def is_red(px):
    return px[0] > 200 and px[1] < 70 and px[2] < 70


def is_blue(px):
    return px[0] < 70 and px[1] < 70 and px[2] > 200
