"""Wire check of the fan-out's added delay, from a loopback capture: for every data segment to the
sink port, the time since the latest data segment on the ingest port (a message leaves after the
ingest segment that completed it, so the tail of this distribution is what the kernel held back,
e.g. Nagle waiting for an ACK). Reads `tshark -T fields -e frame.time_epoch -e tcp.dstport -e tcp.len`.

Usage:
  tshark -q -i lo -a duration:6 -w cap.pcap -f "tcp port INGEST or tcp dst port SINK"
  tshark -r cap.pcap -T fields -e frame.time_epoch -e tcp.dstport -e tcp.len -Y "tcp.len > 0" |
    python3 tools/bench/wire-gap.py INGEST SINK
"""
import sys

ingest, sink = sys.argv[1], sys.argv[2]
last = None
gaps = []
for line in sys.stdin:
    t, port, _ = line.rstrip('\n').split('\t')
    if port == ingest:
        last = float(t)
    elif port == sink and last is not None:
        gaps.append((float(t) - last) * 1000)
if not gaps:
    sys.exit('wire-gap: no segments to the sink after an ingest segment')
gaps.sort()
q = lambda p: gaps[min(len(gaps) - 1, int(p * len(gaps)))]
print(f'wire-gap segments={len(gaps)} p50_ms={q(.5):.3f} p99_ms={q(.99):.3f} p999_ms={q(.999):.3f} max_ms={gaps[-1]:.3f}')
