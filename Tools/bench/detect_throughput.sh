#!/usr/bin/env bash
# /v1/detect throughput with 8 concurrent clients, backbone batching on and off, against the real
# diffusion-server (release build). For each setting: write a config (models.root = the model's parent
# folder), start the server, run Tools/bench/detect_throughput.py, stop the server.
#
# Usage: MODEL=Tests/Fixtures/diffusiondet/basic18 IMAGE=scene.png [SIZE=128] [CLIENTS=8] [DURATION=30]
#        [QUERY='steps=4&seed=1'] [WINDOWS="10 0"] [MAX_BATCH=8] [PORT=18090] Tools/bench/detect_throughput.sh
# Without IMAGE, a SIZE×SIZE synthetic PNG (gradient + checkerboard, as `bench detect`) is written.
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${MODEL:-Tests/Fixtures/diffusiondet/basic18}
CLIENTS=${CLIENTS:-8}
DURATION=${DURATION:-30}
QUERY=${QUERY:-steps=4&seed=1}
WINDOWS=${WINDOWS:-10 0}
MAX_BATCH=${MAX_BATCH:-8}
PORT=${PORT:-18090}
SIZE=${SIZE:-128}
PYTHON=${PYTHON:-/work/main/.venv/bin/python}
SERVER=${SERVER:-.build/release/diffusion-server}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$(cd "$(dirname "$MODEL")" && pwd)
name=$(basename "$MODEL")
if [[ -z "${IMAGE:-}" ]]; then
  IMAGE=$work/scene.png
  "$PYTHON" - "$IMAGE" "$SIZE" <<'PY'
import sys
import numpy as np
from PIL import Image
path, size = sys.argv[1], int(sys.argv[2])
yy, xx = np.mgrid[0:size, 0:size]
rgb = np.stack([(xx * 255) // (size - 1), (yy * 255) // (size - 1),
                np.where((xx // 16 + yy // 16) % 2 == 0, 40, 220)], axis=-1).astype(np.uint8)
Image.fromarray(rgb).save(path)
PY
fi
echo "model $MODEL, image $IMAGE, $CLIENTS clients, ${DURATION}s, query '$QUERY'; uptime: $(uptime)"
for window in $WINDOWS; do
  cat > "$work/config.yaml" <<YAML
server:
  host: 127.0.0.1
  port: $PORT
logging:
  level: warning
detection:
  batch_window_ms: $window
  max_batch: $MAX_BATCH
models:
  root: $root
  entries:
    - name: $name
      task: detect
      path: $name/model.safetensors
YAML
  "$SERVER" --config "$work/config.yaml" > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    if curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null; then break; fi
    sleep 0.2
  done
  "$PYTHON" Tools/bench/detect_throughput.py --port "$PORT" --image "$IMAGE" --clients "$CLIENTS" \
    --duration "$DURATION" --query "$QUERY" --label "batch_window_ms=$window max_batch=$MAX_BATCH"
  kill -TERM "$server"
  wait "$server" || true
done
echo "uptime after: $(uptime)"
