#!/usr/bin/env python3
"""Checks Dockerfile and docker-compose.yml against what BackupFeed needs, without a Docker engine.

Usage: scripts/check-container.py [REPOSITORY_DIR]   (default: the repository this script is in)
Prints one line per problem and exits 1 when there is any; prints "ok" and exits 0 otherwise.
Run by Tests/FeedServerTests/ContainerFilesTests.swift.
"""

import os
import re
import shlex
import sys

import yaml

# What the runtime stage must install: the C libraries the binary links, TLS roots and time zones, curl for the
# healthcheck, setpriv (util-linux) for dropping privileges, sqlite3 for online catalog backups
# (docs/operations.md), and the database programs verification starts.
RUNTIME_PACKAGES = [
    "libsqlite3-0", "libzip4", "ca-certificates", "tzdata", "curl", "util-linux",
    "sqlite3", "mariadb-server", "postgresql",
]


def dockerfile_instructions(text):
    """(INSTRUCTION, arguments) pairs: comments dropped, continuation lines joined."""
    instructions, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        if current:
            keyword, _, rest = current.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def parse_env(arguments):
    """ENV KEY=VALUE … (or the legacy ENV KEY VALUE) as a dict."""
    words = shlex.split(arguments)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words if "=" in word)


def stages(instructions):
    """The build stages: dicts with base image, name and their instructions."""
    result = []
    for keyword, arguments in instructions:
        if keyword == "FROM":
            words = arguments.split()
            words = [w for w in words if not w.startswith("--platform")]
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            result.append({"image": words[0], "name": name, "instructions": []})
        elif result:
            result[-1]["instructions"].append((keyword, arguments))
    return result


def exec_form(arguments):
    """A JSON-array instruction (ENTRYPOINT/CMD) as a list, or its shell form split into words."""
    arguments = arguments.strip()
    if arguments.startswith("["):
        return yaml.safe_load(arguments)
    return shlex.split(arguments)


def compose_environment(service):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return {key: (None if value is None else str(value)) for key, value in environment.items()}


def check(root):
    problems = []

    def problem(text):
        problems.append(text)

    compose_path = os.path.join(root, "docker-compose.yml")
    try:
        with open(compose_path, encoding="utf-8") as handle:
            compose = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        return [f"docker-compose.yml does not parse: {error}"]
    if not isinstance(compose, dict) or not isinstance(compose.get("services"), dict) or not compose["services"]:
        return ["docker-compose.yml has no services"]

    # The service that builds BackupFeed from this repository.
    built = {name: s for name, s in compose["services"].items() if isinstance(s, dict) and "build" in s}
    if len(built) != 1:
        return [f"docker-compose.yml should build exactly one service from the repository, found {sorted(built)}"]
    name, service = next(iter(built.items()))
    build = service["build"]
    context, dockerfile_name = (build, "Dockerfile") if isinstance(build, str) else (build.get("context", "."), build.get("dockerfile", "Dockerfile"))
    if os.path.normpath(context) != ".":
        problem(f"services.{name}.build.context is {context!r}; the Dockerfile copies Package.swift, Sources and Public from the repository root, so it must be '.'")
    dockerfile_path = os.path.join(root, context, dockerfile_name)
    if not os.path.isfile(dockerfile_path):
        return problems + [f"services.{name}.build names {dockerfile_name!r}, which does not exist"]

    with open(dockerfile_path, encoding="utf-8") as handle:
        all_stages = stages(dockerfile_instructions(handle.read()))
    if len(all_stages) < 2:
        return problems + ["the Dockerfile needs a build stage and a slim runtime stage (multi-stage build)"]
    build_stage, runtime = all_stages[0], all_stages[-1]

    # Build stage: the Swift toolchain compiles the release binary.
    build_runs = " ".join(a for k, a in build_stage["instructions"] if k == "RUN")
    if not build_stage["image"].startswith("swift:"):
        problem(f"the build stage should start from a swift: toolchain image, not {build_stage['image']}")
    if "swift build" not in build_runs or "-c release" not in build_runs:
        problem("the build stage does not run `swift build -c release`")
    # SwiftPM refuses to build a package when a declared target's folder is missing, test targets included.
    for copied in ("Package.swift", "Sources", "Tests"):
        if not any(k == "COPY" and copied in a for k, a in build_stage["instructions"]):
            problem(f"the build stage does not copy {copied}")

    # The build context must keep what the stages copy.
    ignore_path = os.path.join(root, context, ".dockerignore")
    if os.path.isfile(ignore_path):
        with open(ignore_path, encoding="utf-8") as handle:
            ignored = {line.strip().strip("/") for line in handle if line.strip() and not line.startswith("#")}
        for needed in ("Package.swift", "Sources", "Tests", "Public"):
            if needed in ignored or "*" in ignored:
                problem(f".dockerignore leaves {needed} out of the build context, but the Dockerfile copies it")

    # Runtime stage: slim, with the Swift runtime either linked in or provided by the base image.
    image = runtime["image"]
    if image.startswith("swift:") and "slim" not in image:
        problem(f"the runtime stage uses the full toolchain image {image}; use a -slim image or debian slim with --static-swift-stdlib")
    if not image.startswith("swift:") and "--static-swift-stdlib" not in build_runs:
        problem(f"the runtime stage {image} has no Swift runtime, so the build needs --static-swift-stdlib")
    if image.startswith("debian:") and "slim" not in image:
        problem(f"the runtime stage should be a slim image, not {image}")

    runtime_runs = " ".join(a for k, a in runtime["instructions"] if k == "RUN")
    installed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", runtime_runs))
    for package in RUNTIME_PACKAGES:
        if package not in installed:
            problem(f"the runtime stage does not install {package}")

    copies = [a for k, a in runtime["instructions"] if k == "COPY"]
    build_refs = {ref for ref in (build_stage["name"], "0") if ref}
    if not any(re.search(r"--from=(\S+)", a) and re.search(r"--from=(\S+)", a).group(1) in build_refs and "backupfeed" in a for a in copies):
        problem("the runtime stage does not copy the backupfeed binary from the build stage (COPY --from=…)")
    if not any(a.split()[0] == "Public" for a in copies if not a.startswith("--")):
        problem("the runtime stage does not copy Public/ (the browser UI)")

    users = [a for k, a in runtime["instructions"] if k == "USER"]
    user = users[-1].split(":")[0] if users else "root"
    if user in ("root", "0"):
        problem("the runtime stage runs as root; add USER with an unprivileged account")

    env = {}
    for keyword, arguments in runtime["instructions"]:
        if keyword == "ENV":
            env.update(parse_env(arguments))
    env.update({k: v for k, v in compose_environment(service).items() if v is not None and not v.startswith("$")})
    if env.get("BACKUPFEED_HOST") not in ("0.0.0.0", "::"):
        problem(f"BACKUPFEED_HOST is {env.get('BACKUPFEED_HOST')!r}; inside a container the server must listen on 0.0.0.0")
    port = env.get("BACKUPFEED_PORT", "8080")
    data_dir = env.get("BACKUPFEED_DATA_DIR")
    if not data_dir:
        problem("BACKUPFEED_DATA_DIR is not set in the image or the compose file")
    elif not re.search(rf"(chown|install -d)[^&;]*{re.escape(data_dir)}(\s|$)", runtime_runs):
        problem(f"the image does not create {data_dir} owned by {user}; a new named volume would be root's and unwritable")
    exposed = {p.split("/")[0] for k, a in runtime["instructions"] if k == "EXPOSE" for p in a.split()}
    if port not in exposed:
        problem(f"the image listens on {port} (BACKUPFEED_PORT) but EXPOSEs {sorted(exposed)}")

    command = []
    for keyword, arguments in runtime["instructions"]:
        if keyword in ("ENTRYPOINT", "CMD"):
            command += exec_form(arguments)
    if not command or os.path.basename(command[0]) != "backupfeed" or "serve" not in command:
        problem(f"the image should run `backupfeed serve`, runs {command}")

    # Compose: the port, the healthcheck, the data volume, the admin key from the environment.
    container_ports = []
    for mapping in service.get("ports") or []:
        if isinstance(mapping, dict):
            container_ports.append(str(mapping.get("target")))
        else:
            container_ports.append(str(mapping).split("/")[0].split(":")[-1])
    if port not in container_ports:
        problem(f"services.{name}.ports maps container ports {container_ports}, but the server listens on {port}")

    healthcheck = service.get("healthcheck") or {}
    test = healthcheck.get("test")
    test_text = " ".join(test) if isinstance(test, list) else str(test or "")
    if not re.search(rf"https?://(127\.0\.0\.1|localhost):{port}/health\b", test_text):
        problem(f"services.{name}.healthcheck does not ask http://127.0.0.1:{port}/health (test: {test_text!r})")
    elif "curl" in test_text and "curl" not in installed:
        problem("the healthcheck uses curl, which the runtime stage does not install")

    named_volumes = set((compose.get("volumes") or {}).keys())
    mounts = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            mounts[volume.get("target")] = (volume.get("type"), volume.get("source"))
        else:
            parts = str(volume).split(":")
            if len(parts) >= 2:
                mounts[parts[1]] = ("volume" if not parts[0].startswith((".", "/", "~")) else "bind", parts[0])
    if data_dir:
        kind, source = mounts.get(data_dir, (None, None))
        if source is None:
            problem(f"no volume is mounted at the data directory {data_dir}; versions would be lost with the container")
        elif kind != "volume" or source not in named_volumes:
            problem(f"{data_dir} is mounted from {source!r}, which is not a named volume declared under volumes:")

    admin = compose_environment(service).get("BACKUPFEED_ADMIN_KEY", "missing")
    if admin == "missing":
        problem(f"services.{name}.environment does not pass BACKUPFEED_ADMIN_KEY")
    elif admin is not None and not re.fullmatch(r"\$\{BACKUPFEED_ADMIN_KEY(:?[-?][^}]*)?\}", admin):
        problem("BACKUPFEED_ADMIN_KEY must come from the environment (${BACKUPFEED_ADMIN_KEY…}), never be written in the file")

    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = check(root)
    for text in problems:
        print(text)
    if not problems:
        print("ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
