"""Times the language server's re-check after an edit (docs/performance.md).

Usage: python3 benches/lsp_recheck.py BINARY EXAMPLE_DIR FILE OLD NEW
Copies EXAMPLE_DIR to a temporary folder (DISCOVER=1 removes its manifest,
so the folder is discovered), starts `BINARY server`, opens FILE, then 200
times sends a didChange that swaps OLD for NEW (or back) followed by an
unknown request, and times each round trip until that request's answer: the
server handles messages in order, so this includes the re-check of the
workspace and every publishDiagnostics it sends.
HOVER=TEXT: then also times 200 hovers on the first TEXT in FILE (the
chain rows of that value, built from the last check).
"""
import json, subprocess, sys, time, os, shutil, tempfile, statistics, urllib.parse
exe, example, rel, old, new = sys.argv[1:6]
d = tempfile.mkdtemp(); root = os.path.join(os.path.realpath(d), "ws"); shutil.copytree(example, root)
if os.environ.get("DISCOVER"): os.remove(os.path.join(root, "timeoutlint.toml"))
uri = lambda p: "file://" + urllib.parse.quote(p)
p = subprocess.Popen([exe, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def send(m):
    b = json.dumps(m).encode(); p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b); p.stdin.flush()
def recv():
    n = 0
    while True:
        line = p.stdout.readline().strip()
        if not line: break
        k, v = line.split(b": "); n = int(v) if k.lower() == b"content-length" else n
    return json.loads(p.stdout.read(n))
def until(i):
    notes = 0
    while True:
        m = recv()
        if m.get("id") == i: return notes
        notes += 1
send({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{},"workspaceFolders":[{"uri":uri(root),"name":"ws"}]}})
until(0); send({"jsonrpc":"2.0","method":"initialized","params":{}})
f = os.path.join(root, rel); text = open(f).read(); assert old in text
send({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":uri(f),"languageId":"x","version":1,"text":text}}})
send({"jsonrpc":"2.0","id":1,"method":"x/sync"}); until(1)
times = []
for i in range(2, 202):
    t = text.replace(old, new) if i % 2 == 0 else text
    t0 = time.perf_counter()
    send({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":uri(f),"version":i},"contentChanges":[{"text":t}]}})
    send({"jsonrpc":"2.0","id":i,"method":"x/sync"}); n = until(i)
    times.append((time.perf_counter() - t0) * 1000)
hover = os.environ.get("HOVER")
if hover:
    at = text.index(hover); line = text.count("\n", 0, at); col = len(text[text.rfind("\n", 0, at) + 1:at].encode("utf-16-le")) // 2
    send({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":uri(f),"version":999},"contentChanges":[{"text":text}]}})
    hovers = []; shown = None
    for i in range(10000, 10200):
        t0 = time.perf_counter()
        send({"jsonrpc":"2.0","id":i,"method":"textDocument/hover","params":{"textDocument":{"uri":uri(f)},"position":{"line":line,"character":col}}})
        while True:
            m = recv()
            if m.get("id") == i: shown = m.get("result"); break
        hovers.append((time.perf_counter() - t0) * 1000)
    hovers.sort()
    assert shown, "no hover at " + hover
    print(f"hover on {hover!r}: median={statistics.median(hovers):.2f} ms p90={hovers[int(len(hovers)*.9)]:.2f} ms max={hovers[-1]:.2f} ms")
send({"jsonrpc":"2.0","id":9999,"method":"shutdown"}); until(9999); send({"jsonrpc":"2.0","method":"exit"}); p.wait()
times.sort()
print(f"{os.path.basename(example)} {rel}: n={len(times)} median={statistics.median(times):.2f} ms p90={times[int(len(times)*.9)]:.2f} ms max={times[-1]:.2f} ms")
