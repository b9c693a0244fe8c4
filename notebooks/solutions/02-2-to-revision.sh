# Exercise 2.2: `kubectl rollout history --revision=N` shows each revision's image; the one that
# runs jonbaier/pod-scaling:0.2 is the one to return to. Each ReplicaSet carries its revision in an
# annotation, so one line finds it and undoes to it:
kubectl rollout undo deployment/node-js-deploy -n "$NAMESPACE" --to-revision="$(kubectl get replicasets -n "$NAMESPACE" -l name=node-js-deploy --no-headers -o 'custom-columns=REVISION:.metadata.annotations.deployment\.kubernetes\.io/revision,IMAGE:.spec.template.spec.containers[0].image' | awk '$2 == "jonbaier/pod-scaling:0.2" {print $1}')"
kubectl rollout status deployment/node-js-deploy -n "$NAMESPACE" --timeout=90s
