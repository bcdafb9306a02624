"""The full-stack compose file: parsed by the docker CLI when it can, and checked for shape."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def compose_cli():
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_file_has_the_full_stack():
    spec = yaml.safe_load(COMPOSE.read_text())
    services = spec["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat", "mailpit"}
    for name in ("db", "redis", "web", "worker", "mailpit"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert {"pgdata", "redisdata", "media"} <= set(spec["volumes"])
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
    assert env["EMAIL_URL"] == "smtp://mailpit:1025"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert (ROOT / "Dockerfile").exists()


def test_docker_cli_accepts_the_compose_file():
    cli = compose_cli()
    if cli is None:
        pytest.skip("no docker compose CLI on this machine (the shape test above still runs)")
    result = subprocess.run([*cli, "-f", str(COMPOSE), "config", "--quiet"], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
