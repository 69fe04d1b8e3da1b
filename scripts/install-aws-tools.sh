#!/usr/bin/env bash
# Install AWS's own validators and emulators (cfn-lint with the serverless rules, moto server) into
# .aws-tools/, a Python virtual environment of the repository's own, from PyPI. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "install-aws-tools: $python not found (Python 3.10+ needed)" >&2; exit 1; }
[ -x .aws-tools/bin/python ] || "$python" -m venv .aws-tools
.aws-tools/bin/python -m pip install --quiet --disable-pip-version-check -r scripts/aws-tools.requirements.txt
.aws-tools/bin/cfn-lint --version
.aws-tools/bin/python -c 'import moto; print("moto", moto.__version__)'
