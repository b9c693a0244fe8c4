# Exercise 2.3: `kubectl describe deployment api` shows Progressing ... DeploymentPaused: the
# rollout was paused before the change, so the controller does not roll it out. Resume it.
kubectl rollout resume deployment/api -n "$NAMESPACE"
kubectl rollout status deployment/api -n "$NAMESPACE" --timeout=90s
