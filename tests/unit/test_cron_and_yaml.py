"""Cron schedules in words, YAML with line numbers, resource names, tables (plain data)."""

from datetime import datetime, timezone

import pytest

from kworkshop.errors import ConfigError
from kworkshop.kube import cron
from kworkshop.kube.resources import kind_of, parse_ref
from kworkshop.kube.tables import Table, from_server_table
from kworkshop.kube.yamlsrc import load, parse


def test_explain_the_chapter_schedule():
    assert cron.explain("15 10 * * 6") == "At 10:15 AM, only on Saturday"
    assert "every minute" in cron.explain("* * * * *").lower()


def test_next_runs_are_saturdays_at_10_15():
    runs = cron.next_runs("15 10 * * 6", 3, after=datetime(2026, 11, 26, tzinfo=timezone.utc))
    assert [r.isoformat() for r in runs] == ["2026-11-28T10:15:00+00:00", "2026-12-05T10:15:00+00:00",
                                             "2026-12-12T10:15:00+00:00"]


@pytest.mark.parametrize(("schedule", "message"), [
    ("15 10 * *", "has 4 fields"), ("61 10 * * 6", "minute field '61'"), ("15 10 * * funday", "day of week"),
])
def test_bad_schedules_name_the_field(schedule, message):
    with pytest.raises(ConfigError, match=message):
        cron.explain(schedule)


def test_yaml_lines_and_syntax_errors():
    docs = parse("a: 1\n---\nkind: Pod\nmetadata:\n  name: x\nlabels:\n  y: z\n", "f.yaml")
    assert len(docs) == 2
    assert docs[1].where(("labels", "y")) == "f.yaml:7" and docs[1].first_line == 3
    with pytest.raises(ConfigError, match=r"^f.yaml:3:4: this is not valid YAML"):
        parse("spec:\n    replicas: 1\n   template: {}\n", "f.yaml")
    with pytest.raises(ConfigError, match="no such file"):
        load("/nonexistent/manifest.yaml")


def test_resource_names_like_kubectl():
    assert kind_of("deploy").kind == kind_of("deployments").kind == "Deployment"
    assert parse_ref("hpa/web").kind.api_version == "autoscaling/v2"
    assert parse_ref("web", "deployment").name == "web"
    with pytest.raises(ConfigError, match="unknown resource type 'deployo'"):
        parse_ref("deployo/web")
    with pytest.raises(ConfigError, match="needs a type"):
        parse_ref("web")


def test_server_table_columns_and_text():
    body = {"columnDefinitions": [{"name": "Name", "priority": 0}, {"name": "IP", "priority": 1}],
            "rows": [{"cells": ["web-1", "10.0.0.1"]}, {"cells": ["web-22", None]}]}
    assert from_server_table(body).columns == ("Name",)
    wide = from_server_table(body, wide=True)
    assert str(wide).splitlines() == ["NAME     IP", "web-1    10.0.0.1", "web-22   <none>"]
    assert wide.column("ip") == ["10.0.0.1", "<none>"]
    assert "<table>" in wide._repr_html_()
    assert str(Table(("A",), ())) == "No resources found."
