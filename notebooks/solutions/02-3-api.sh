# Exercise 2.3: the new pod stays Pending; its FailedScheduling event says "Insufficient cpu": the
# new version asks for 6 CPUs per pod and no node has that many. (In a class, the ReplicaSet's
# events say the quota refused the pod.) Ask for what a pod needs, a bit over half a CPU.
kubectl set resources deployment/api -c api --requests=cpu=600m -n "$NAMESPACE"
kubectl rollout status deployment/api -n "$NAMESPACE" --timeout=90s
