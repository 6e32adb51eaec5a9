"""What one send costs from a plain C-library caller: the pattern of tools/bench/tcp-send-cost.mjs
(N connected loopback sockets, every 10 ms one send of SIZE bytes to each, ROUNDS times, into a
draining Node child that is not counted). Prints user and system microseconds per send.

Usage: python3 tools/bench/tcp-send-cost.py [--pushes 100] [--rounds 300] [--size 8000]
"""
import argparse
import resource
import socket
import subprocess
import time

p = argparse.ArgumentParser()
p.add_argument('--pushes', type=int, default=100)
p.add_argument('--rounds', type=int, default=300)
p.add_argument('--size', type=int, default=8000)
a = p.parse_args()
receiver = subprocess.Popen(
    ['node', '-e',
     "const s = require('node:net').createServer((c) => { c.on('data', () => {}); c.on('error', () => {}); });"
     "s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));"],
    stdout=subprocess.PIPE)
port = int(receiver.stdout.readline())
sockets = []
for _ in range(a.pushes):
    s = socket.create_connection(('127.0.0.1', port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sockets.append(s)
data = b'\x01' * a.size
r0 = resource.getrusage(resource.RUSAGE_SELF)
for _ in range(a.rounds):
    for s in sockets:
        s.sendall(data)
    time.sleep(0.01)
r1 = resource.getrusage(resource.RUSAGE_SELF)
writes = a.pushes * a.rounds
print(f'tcp-send-cost python pushes={a.pushes} size={a.size} writes={writes} '
      f'user_us_per_write={(r1.ru_utime - r0.ru_utime) / writes * 1e6:.2f} '
      f'system_us_per_write={(r1.ru_stime - r0.ru_stime) / writes * 1e6:.2f}')
for s in sockets:
    s.close()
receiver.kill()
