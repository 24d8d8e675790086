import zlib, struct, numpy as np, sys
def read(fn):
    b = open(fn,'rb').read(); p = 8; idat = b''
    while p < len(b):
        n, = struct.unpack('>I', b[p:p+4]); t = b[p+4:p+8]; d = b[p+8:p+8+n]; p += 12+n
        if t == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', d[:10])
        elif t == b'IDAT': idat += d
    raw = zlib.decompress(idat); bpp = 4 if ct == 6 else 3; stride = w*bpp
    img = np.zeros((h, stride), np.uint8); prev = np.zeros(stride, np.int32); pos = 0
    for y in range(h):
        f = raw[pos]; line = np.frombuffer(raw[pos+1:pos+1+stride], np.uint8).astype(np.int32); pos += 1+stride
        out = np.zeros(stride, np.int32)
        if f == 0: out = line
        elif f == 2: out = (line+prev) & 255
        else:
            for i in range(stride):
                a = out[i-bpp] if i >= bpp else 0; c = prev[i-bpp] if i >= bpp else 0; up = prev[i]
                if f == 1: pr = a
                elif f == 3: pr = (a+up)//2
                else:
                    pp = a+up-c; pa, pb, pc = abs(pp-a), abs(pp-up), abs(pp-c)
                    pr = a if pa <= pb and pa <= pc else (up if pb <= pc else c)
                out[i] = (line[i]+pr) & 255
        img[y] = out; prev = out
    return img.reshape(h, w, bpp)
def write(fn, a):
    h, w, c = a.shape; ct = 6 if c == 4 else 2
    raw = b''.join(b'\x00'+a[y].tobytes() for y in range(h))
    def chunk(t, d): return struct.pack('>I', len(d))+t+d+struct.pack('>I', zlib.crc32(t+d) & 0xffffffff)
    open(fn,'wb').write(b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, ct, 0, 0, 0))+chunk(b'IDAT', zlib.compress(raw))+chunk(b'IEND', b''))
if __name__ == '__main__':
    img = read(sys.argv[1]); y0, y1, x0, x1, s = map(int, sys.argv[3:8])
    crop = img[y0:y1, x0:x1]; crop = crop.repeat(s, 0).repeat(s, 1); write(sys.argv[2], np.ascontiguousarray(crop))
