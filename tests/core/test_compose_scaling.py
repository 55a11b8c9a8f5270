"""The compose stack can run several web and worker containers (issue 11, "past one machine"):
nothing but PostgreSQL, Redis and MinIO is shared; one proxy port; migrations run once.
(`docker-compose config` validates the file itself; this pins what scaling relies on.)"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_web_and_worker_can_scale_behind_one_proxy_port():
    services = compose()["services"]
    for name in ("web", "worker"):
        service = services[name]
        assert "ports" not in service and "container_name" not in service, name
        # No volume for stored files: those are in the bucket (the Peppol drop folder is the only one).
        assert [str(v).split(":")[0] for v in service.get("volumes", [])] in ([], ["peppol-outbox"]), name
    assert services["proxy"]["ports"] == ["${WEB_PORT:-8000}:8000"]
    assert services["proxy"]["volumes"] == ["./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000 resolve;" in nginx and "proxy_pass http://portal_web;" in nginx


def test_files_cache_and_migrations_are_shared_not_per_container():
    services = compose()["services"]
    env = services["web"]["environment"]
    assert env["STORAGE_BACKEND"] == "s3" and env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["RUN_MIGRATIONS"] == "0"
    assert services["migrate"]["environment"]["RUN_MIGRATIONS"] == "1"
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["minio"]["image"].startswith("minio/minio")
    assert "media" not in compose().get("volumes", {})
