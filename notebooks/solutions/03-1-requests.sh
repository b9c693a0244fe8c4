# Exercise 3.1: `kubectl describe hpa` says it failed to get CPU utilisation: the containers have no
# CPU request, and utilisation is a percentage of the request. Give each pod a tenth of a CPU.
kubectl set resources deployment node-js-deploy --requests=cpu=100m -n "$NAMESPACE"
kubectl rollout status deployment/node-js-deploy -n "$NAMESPACE" --timeout=90s
