# Exercise 2.2: find the revision whose template runs 0.2, then undo to it.
for revision in $(kubectl rollout history deployment/node-js-deploy -n "$NAMESPACE" | awk 'NR > 2 {print $1}'); do
  if kubectl rollout history deployment/node-js-deploy -n "$NAMESPACE" --revision="$revision" | grep -q 'pod-scaling:0.2$'; then
    break
  fi
done
kubectl rollout undo deployment/node-js-deploy -n "$NAMESPACE" --to-revision="$revision"
kubectl rollout status deployment/node-js-deploy -n "$NAMESPACE" --timeout=90s
