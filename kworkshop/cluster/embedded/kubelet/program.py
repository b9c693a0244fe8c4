"""What a simulated container "runs": its run time and exit code, read from its command line.

A real kubelet runs the container's process and reports what it did; the simulated one reads the
command and args (joined by spaces) for the few idioms that determine the result, the way a
reader of the manifest would:

* ``sleep N`` runs N seconds (several add up); ``sleep infinity``, ``tail -f``, a ``while`` loop
  and the ``pause`` image never end;
* ``exit N``, ``false``, ``true``, ``echo``/``printf`` end at once: ``false`` with 1, ``exit N``
  with N, the rest with 0; ``exit $(( $RANDOM ... ))`` with 0 or 1 at random;
* a script with several ``exit`` codes (``if [ -r /data/marker ]; then exit 0; else touch
  /data/marker; exit 1; fi``) fails with its non-zero code on its first run and succeeds when it
  runs again: restarted in place, or a new pod of the same Job index that the Job controller marks
  with earlier failures (``batch.kubernetes.io/job-index-failure-count``), as a script that leaves
  a marker file on its volume does;
* a script that branches on ``$JOB_COMPLETION_INDEX % 2`` fails with its non-zero code in the pods
  of odd indexes and succeeds in the even ones (the pod's ``batch.kubernetes.io/job-completion-index``);
* anything else (``cowsay``, ``perl ...``, an image's own entrypoint) is unknown: a Job's pod then
  ends after the kit's short default run, and every other pod runs until it is deleted.

The annotations ``kworkshop.io/run-time: 30s`` and ``kworkshop.io/exit-code: "3"`` win over the
command. Each idiom is one regular expression (RE2, the dialect of both gojq and Go templates);
the run time is computed by jq expressions (stage selectors and delays) and the exit code by Go
template snippets (the status the stage writes), both generated here from the same table.
"""

from __future__ import annotations

import json

RUN_TIME_ANNOTATION = "kworkshop.io/run-time"
EXIT_CODE_ANNOTATION = "kworkshop.io/exit-code"

# The idioms: a word boundary that a shell would see (start, space, ; & | ( or a quote) before the
# word, which may be a path (/bin/sleep).
_B = "(^|[\\s;&|(\"'])(/[\\w./-]*/)?"
FOREVER = _B + "(sleep\\s+inf(inity)?\\b|tail\\s+-f\\b|while\\s)"
SLEEP = _B + "sleep\\s+([0-9]+)"
ENDS_AT_ONCE = _B + "(exit(\\s|$)|true($|[\\s;])|false($|[\\s;])|echo(\\s|$)|printf\\s)"
EXIT = _B + "exit\\s+([0-9]+)"
EXIT_RANDOM = _B + "exit\\s+\\$\\(\\(\\s*\\$RANDOM"
INDEX_PARITY = "JOB_COMPLETION_INDEX\\}?\\)?\\s*%\\s*2"
INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
INDEX_FAILURES_ANNOTATION = "batch.kubernetes.io/job-index-failure-count"
FALSE = "^((/usr)?/bin/)?false$"
PAUSE_IMAGE = "(^|/)pause(:|@|$)"


def _jq(pattern: str) -> str:
    return json.dumps(pattern)


# jq: the command line of a container, and what it runs: seconds, "forever", or null (unknown).
JQ_DEFS = (
    'def kw_cmd: ((.command // []) + (.args // [])) | map(tostring) | join(" ");'
    " def kw_run: if ((.image // \"\") | test(" + _jq(PAUSE_IMAGE) + ")) then \"forever\""
    " else kw_cmd as $c"
    " | if ($c | test(" + _jq(FOREVER) + ")) then \"forever\""
    " elif ($c | test(" + _jq(SLEEP) + ")) then ([$c | scan(" + _jq(SLEEP) + ") | .[-1] | tonumber] | add)"
    " elif ($c | test(" + _jq(ENDS_AT_ONCE) + ")) then 0"
    " else null end end;"
    # the kit's annotation: "30s", "1.5m", "500ms", "2h"
    ' def kw_seconds: capture("^(?<n>[0-9.]+)(?<u>ms|s|m|h)$")'
    ' | (.n | tonumber) * ({"ms": 0.001, "s": 1, "m": 60, "h": 3600}[.u]);'
    " def kw_pod_run: (.metadata.annotations[" + json.dumps(RUN_TIME_ANNOTATION) + "] // null) as $a"
    " | if $a then ($a | kw_seconds? // null)"
    " else [.spec.containers[] | kw_run] as $r"
    ' | if any($r[]; . == "forever") then "forever" elif any($r[]; . == null) then null'
    " else ($r | max) end end;"
    # when the running containers last started (the API serves whole seconds in UTC)
    " def kw_epoch: sub(\"\\\\.[0-9]+\"; \"\") | fromdateiso8601;"
    " def kw_last_start: [.status.containerStatuses[]? | .state.running.startedAt // empty | kw_epoch] | max;"
    ' def kw_is_job: any(.metadata.ownerReferences[]?; .kind == "Job");'
    # when the pod's processes end (epoch seconds), or null: unknown or never
    ' def kw_end: kw_pod_run as $r | if ($r | type) == "number" then kw_last_start + $r else null end;'
    # readiness: the (always passing) probes of the last probed container to start have passed
    # initialDelaySeconds + periodSeconds x (successThreshold - 1) after it started; null: no probe
    " def kw_probe_at: . as $s | [.spec.containers[] | select(.readinessProbe != null) | .name as $n"
    " | .readinessProbe as $p | ($s.status.containerStatuses[]? | select(.name == $n)"
    " | .state.running.startedAt // empty | kw_epoch)"
    " + ($p.initialDelaySeconds // 0) + ($p.periodSeconds // 10) * (($p.successThreshold // 1) - 1)]"
    " | if length > 0 then max else null end;"
)


def jq(body: str) -> str:
    """A jq program: the kit's definitions, then ``body``."""
    return JQ_DEFS + " " + body


# Does the pod end by itself? Known run time, or unknown but owned by a Job (which the kit ends).
ENDS = jq('kw_pod_run as $r | (($r | type) == "number") or ($r == null and kw_is_job)')
# When it ends: the latest container start plus the run time, as a timestamp (so a re-match of
# the pod, e.g. after a label change, keeps the same moment); empty means the default window.
ENDS_AT = jq("kw_end | if . == null then empty else todateiso8601 end")
# A readiness probe passes before the processes end (or they never do).
PROBE_PASSES = jq("kw_probe_at as $t | kw_end as $e | $t != null and ($e == null or $t < $e)")
PROBE_PASSES_AT = jq("kw_probe_at | if . == null then empty else todateiso8601 end")


def exit_code_template() -> str:
    """A Go template snippet that sets ``$code`` for the container ``$c`` with status ``$st``.

    ``$st`` may be empty (no status yet). Needs ``$annotations`` in scope.
    """
    return (
        "{{ $cmd := join \" \" (concat (or $c.command list) (or $c.args list)) }}"
        "{{ $code := 0 }}"
        "{{ $forced := index $annotations " + json.dumps(EXIT_CODE_ANNOTATION) + " }}"
        "{{ if $forced }}{{ $code = atoi $forced }}"
        "{{ else if regexMatch " + json.dumps(FALSE) + " $cmd }}{{ $code = 1 }}"
        "{{ else if regexMatch " + json.dumps(EXIT_RANDOM) + " $cmd }}{{ $code = randInt 0 2 }}"
        "{{ else }}"
        "{{ $zero := false }}"
        "{{ range regexFindAll " + json.dumps(EXIT) + " $cmd -1 }}"
        "{{ $n := atoi (regexFind \"[0-9]+$\" .) }}"
        "{{ if eq $n 0 }}{{ $zero = true }}{{ else if eq $code 0 }}{{ $code = $n }}{{ end }}"
        "{{ end }}"
        "{{ if and $zero (ne $code 0) }}"
        # the odd indexes of a Job fail, the even ones succeed
        "{{ if regexMatch " + json.dumps(INDEX_PARITY) + " $cmd }}"
        "{{ $index := index $annotations " + json.dumps(INDEX_ANNOTATION) + " }}"
        "{{ if $index }}{{ if eq (mod (atoi $index) 2) 0 }}{{ $code = 0 }}{{ end }}{{ end }}"
        # a marker script: the first run fails, a run after an earlier one of the same work succeeds
        "{{ else }}"
        "{{ $failures := index $annotations " + json.dumps(INDEX_FAILURES_ANNOTATION) + " }}"
        "{{ if gt (int (or $st.restartCount 0)) 0 }}{{ $code = 0 }}{{ end }}"
        "{{ if $failures }}{{ if gt (atoi $failures) 0 }}{{ $code = 0 }}{{ end }}{{ end }}"
        "{{ end }}"
        "{{ end }}"
        "{{ end }}"
    )
