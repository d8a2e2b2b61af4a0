# Installs Debian packages that are missing, and only those. Sourced by run.sh and test.sh.
# Database server packages must never leave a system service running: BackupFeed starts its own
# throwaway servers, so service starts are refused while apt runs.

ensure_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "missing packages: ${missing[*]} (run as root or install sudo)" >&2; return 1; }
        sudo="sudo"
    fi
    echo "installing: ${missing[*]}" >&2
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
        $sudo chmod +x "$policy"
        created_policy=1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    [ "$created_policy" -eq 1 ] && $sudo rm -f "$policy"
    return 0
}

# Installs Python packages (pinned as NAME==VERSION) whose pinned version is not installed yet. The API
# contract tests drive schemathesis and openapi-spec-validator, the compose test PyYAML.
ensure_pip_packages() {
    command -v python3 >/dev/null || ensure_packages python3 python3-pip
    local missing
    missing=$(python3 -c '
import sys, importlib.metadata as metadata
def installed(requirement):
    name, version = requirement.split("==")
    name = name.split("[")[0]  # "moto[server]": the extra names no distribution of its own
    try:
        return metadata.version(name) == version
    except metadata.PackageNotFoundError:
        return False
print(" ".join(r for r in sys.argv[1:] if not installed(r)))' "$@")
    [ -z "$missing" ] && return 0
    echo "installing (pip): $missing" >&2
    python3 -m pip --version >/dev/null 2>&1 || ensure_packages python3-pip
    # Debian's own python3 refuses pip installs (PEP 668): install for this user, beside the system's packages.
    local flags=()
    python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))' \
        && flags=(--user --break-system-packages)
    # shellcheck disable=SC2086 # one word per requirement
    python3 -m pip install --quiet --disable-pip-version-check "${flags[@]}" $missing >&2
}
