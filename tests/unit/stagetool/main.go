// stagetool plays one step of the simulated kubelet offline, with KWOK's own stage engine (the
// matcher, the delays and the Go template renderer of the pinned kwok), so the unit tests can
// check the stages kworkshop generates on plain pod data, without a cluster.
//
// Usage: stagetool STAGES.yaml < POD.yaml
// Prints one JSON object: every stage that matches, the one KWOK would play, its delay in
// seconds, the status it writes, its event reason and whether it deletes the pod.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	"sigs.k8s.io/kwok/pkg/apis/v1alpha1"
	"sigs.k8s.io/kwok/pkg/utils/gotpl"
	"sigs.k8s.io/kwok/pkg/utils/lifecycle"
	"sigs.k8s.io/yaml"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "stagetool:", err)
		os.Exit(1)
	}
}

func podStages(path string) ([]*internalversion.Stage, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*internalversion.Stage
	for _, doc := range bytes.Split(raw, []byte("\n---\n")) {
		var s v1alpha1.Stage
		if err := yaml.UnmarshalStrict(doc, &s); err != nil {
			return nil, err
		}
		if s.Spec.ResourceRef.Kind != "Pod" {
			continue
		}
		in, err := internalversion.ConvertToInternalStage(&s)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

func run() error {
	stages, err := podStages(os.Args[1])
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict(raw, &pod); err != nil {
		return err
	}
	// what kwok's pod controller adds to the template functions; a node with one InternalIP
	renderer := gotpl.NewRenderer(gotpl.FuncMap{
		"NodeIPsWith": func(string) []string { return []string{"192.0.2.10"} },
		"PodIPsWith": func(string, bool, string, string, string) []string { return []string{"10.0.0.5"} },
	})
	lc, err := lifecycle.NewLifecycle(stages)
	if err != nil {
		return err
	}
	ctx := context.Background()
	event := &lifecycle.Event{Labels: pod.Labels, Annotations: pod.Annotations, Data: &pod}
	possible, err := lc.ListAllPossible(ctx, event)
	if err != nil {
		return err
	}
	out := map[string]any{"matches": []string{}}
	names := []string{}
	for _, s := range possible {
		names = append(names, s.Name())
	}
	out["matches"] = names
	stage, err := lc.Match(ctx, event)
	if err != nil || stage == nil {
		return printJSON(out, err)
	}
	delay, _, err := stage.Delay(ctx, event, time.Now())
	if err != nil {
		return err
	}
	out["stage"] = stage.Name()
	out["delay"] = delay.Seconds()
	for _, in := range stages {
		if in.Name != stage.Name() {
			continue
		}
		for _, step := range in.Spec.Steps {
			if step.Event != nil {
				out["event"] = step.Event.Reason
			}
			if step.Delete {
				out["delete"] = true
			}
			if step.Patch != nil {
				status, err := renderer.ToJSON(step.Patch.Template, &pod)
				if err != nil {
					return err
				}
				out["status"] = json.RawMessage(status)
			}
		}
	}
	return printJSON(out, nil)
}

func printJSON(out map[string]any, err error) error {
	if err != nil {
		return err
	}
	data, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(data))
	return nil
}
