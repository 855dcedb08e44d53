"""docker-compose.yml and the Dockerfiles under deploy/, checked without a Docker engine: the compose
file against the Compose specification (`docker-compose config`), each image's command against what
`make run` runs (scripts/run.py), and each image's files against what its command imports."""
from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from scripts.run import commands

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {"RABBITMQ_PASSWORD": "a-test-password", "IMS_JWT_KEYS": "k1:a-test-secret",
            "IMS_PUBLIC_URL": "https://ims.example.org"}


def compose_config(settings: dict) -> subprocess.CompletedProcess:
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose is missing: scripts/ensure_system_deps.sh installs it (make test runs it)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_") and k not in REQUIRED} | settings
    return subprocess.run([tool, "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yml"), "config"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def compose() -> dict:
    """The compose file as docker-compose resolves it (merge keys, interpolation), after validating it
    against the Compose specification."""
    result = compose_config(REQUIRED)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_compose_refuses_to_start_without_a_required_setting(missing):
    result = compose_config({k: v for k, v in REQUIRED.items() if k != missing})
    assert result.returncode != 0 and f"set {missing}" in result.stderr


@dataclass
class Image:
    """What a Dockerfile says, for the instructions this project uses."""
    workdir: str = "/"
    env: dict = field(default_factory=dict)
    copies: list = field(default_factory=list)   # (sources, destination)
    cmd: list = field(default_factory=list)


def _expand(text: str, values: dict) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: values.get(m.group(1) or m.group(2), ""), text)


def parse_dockerfile(path: Path, build_args: dict) -> Image:
    image, args = Image(), {}
    text = re.sub(r"\\\n", " ", path.read_text())
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "ARG":
            name, _, default = rest.partition("=")
            args[name] = build_args.get(name, default)
        elif instruction == "ENV":
            for pair in shlex.split(rest):
                name, _, value = pair.partition("=")
                image.env[name] = _expand(value, args | image.env)
        elif instruction == "WORKDIR":
            image.workdir = rest
        elif instruction == "COPY":
            parts = [p for p in shlex.split(rest) if not p.startswith("--")]
            image.copies.append((parts[:-1], parts[-1]))
        elif instruction == "CMD":
            assert rest.startswith("["), f"{path.name}: CMD in exec form (signals reach the process)"
            image.cmd = json.loads(rest)
    return image


def image_command(image: Image, environment: dict) -> list[str]:
    """The argv the container runs: a `sh -c "exec …"` wrapper is expanded as the shell would."""
    cmd = image.cmd
    if cmd[:2] == ["sh", "-c"]:
        words = shlex.split(_expand(cmd[2], image.env | environment))
        assert words[0] == "exec", "the shell must exec the process, or SIGTERM stops the shell only"
        return words[1:]
    return cmd


def built(compose: dict) -> dict[str, tuple[Image, dict]]:
    """Each compose service built from this repository: (its image, its environment)."""
    images = {}
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            dockerfile = Path(build["context"]) / build.get("dockerfile", "Dockerfile")
            images[name] = (parse_dockerfile(dockerfile, build.get("args") or {}), service.get("environment") or {})
    return images


def test_compose_runs_every_process_that_make_run_runs(compose):
    assert set(built(compose)) == set(commands())


def test_each_image_runs_the_command_make_run_runs(compose):
    for name, (image, environment) in built(compose).items():
        assert image_command(image, environment) == commands()[name], name


def test_every_service_keeps_its_data_in_mongodb_in_compose(compose):
    """A store left on its default would be a SQLite file inside the container, gone with it."""
    for name, (_, environment) in built(compose).items():
        if name != "gateway":
            assert environment.get(f"{name.upper()}_STORE_URL", "").startswith("mongodb://"), name


def dockerignored(context: Path) -> list[str]:
    lines = (context / ".dockerignore").read_text().splitlines()
    return [line.strip().removeprefix("**/") for line in lines if line.strip() and not line.startswith("#")]


def lay_out(image: Image, context: Path, root: Path) -> Path:
    """The image's application folder, made from its COPY instructions (minus .dockerignore)."""
    ignored = dockerignored(context)
    skip = shutil.ignore_patterns(*ignored)
    app = root / image.workdir.lstrip("/")
    app.mkdir(parents=True, exist_ok=True)
    for sources, destination in image.copies:
        for source in sources:
            assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source
            origin, target = context / source, app / destination
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=skip, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target if not destination.endswith("/") and destination != "." else target / origin.name)
    return app


def test_each_image_holds_what_its_command_needs(compose, tmp_path):
    """Without building anything: the files each image copies are enough for its command to load its
    configuration and import its application (a service importing the gateway's contract, say)."""
    for name, (image, environment) in built(compose).items():
        app = lay_out(image, ROOT, tmp_path / name)
        argv = image_command(image, environment)
        for i, word in enumerate(argv):
            if argv[i - 1] in ("--config", "-c"):
                assert (app / word).is_file(), f"{name}: {word} is not in the image"
        module = argv[-1].split(":")[0]
        env = {"PATH": os.environ["PATH"], **environment, **image.env,
               "PYTHONPATH": image.env["PYTHONPATH"].replace(image.workdir, str(app)),
               "IMS_DATA_DIR": str(tmp_path / name / "data")}
        result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=app, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{name}: {module} does not import from the image's files:\n{result.stderr}"
