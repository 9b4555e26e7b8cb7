"""kv_client.py: the load generator of heapbench's memcached and redis
real-program workloads (written for it).  Deterministic: a fixed sequence of
writes, overwrites, deletes and reads of values from 10 B to 20 KiB, over one
loopback connection, pipelined in batches; prints one checksum line over every
reply, so a server that lost or corrupted data shows as a different checksum.

usage: kv_client.py memcached|redis PORT SCALE"""
import hashlib
import socket
import sys

kind, port, scale = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
n = max(100, int(200000 * scale))
sock = socket.create_connection(("127.0.0.1", port), timeout=60)
reader = sock.makefile("rb")
digest = hashlib.sha256()


def value(i, gen):
    size = 10 + (i * 7919 + gen * 104729) % (20 * 1024 if i % 97 == 0 else 400)
    return (b"%d-%d-" % (i, gen) * (size // 8 + 1))[:size]


def mc_request(ops):
    """ops: (verb, key, value or None); returns the replies in order."""
    buf = []
    for verb, key, val in ops:
        if verb == "set":
            buf.append(b"set %s 0 0 %d\r\n%s\r\n" % (key, len(val), val))
        elif verb == "get":
            buf.append(b"get %s\r\n" % key)
        else:
            buf.append(b"delete %s\r\n" % key)
    sock.sendall(b"".join(buf))
    replies = []
    for verb, _, _ in ops:
        if verb == "get":
            parts = []
            while True:
                line = reader.readline()
                if not line:
                    sys.exit("memcached closed the connection")
                if line == b"END\r\n":
                    break
                length = int(line.split()[3])
                parts.append(reader.read(length + 2)[:-2])
            replies.append(b"".join(parts) or b"(miss)")
        else:
            replies.append(reader.readline().strip())
    return replies


def resp(*args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def resp_read():
    line = reader.readline()
    if not line:
        sys.exit("redis closed the connection")
    t, rest = line[:1], line[1:-2]
    if t == b"$":
        length = int(rest)
        return b"(nil)" if length < 0 else reader.read(length + 2)[:-2]
    if t == b"*":
        return b"[" + b",".join(resp_read() for _ in range(int(rest))) + b"]"
    return rest


def redis_request(ops):
    buf = []
    for verb, key, val in ops:
        if verb == "set":
            buf.append(resp(b"SET", key, val))
            buf.append(resp(b"LPUSH", b"list:" + key[-2:], val[:16]))
        elif verb == "get":
            buf.append(resp(b"GET", key))
            buf.append(resp(b"LRANGE", b"list:" + key[-2:], b"0", b"2"))
        else:
            buf.append(resp(b"DEL", key))
            buf.append(resp(b"LPOP", b"list:" + key[-2:]))
    sock.sendall(b"".join(buf))
    return [resp_read() for _ in range(2 * len(ops))]


request = mc_request if kind == "memcached" else redis_request
batch = []
for step in range(3 * n):
    i = (step * 48271) % n
    gen = step // n
    key = b"key:%d" % i
    verb = "set" if step < n or step % 5 == 1 else ("delete" if step % 11 == 3 else "get")
    batch.append((verb, key, value(i, gen) if verb == "set" else None))
    if len(batch) == 200:
        for r in request(batch):
            digest.update(r)
            digest.update(b"\n")
        batch = []
for r in request(batch) if batch else []:
    digest.update(r)
    digest.update(b"\n")
print(f"{kind} checksum={digest.hexdigest()[:16]}")
