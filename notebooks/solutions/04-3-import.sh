# Exercise 4.3: with restartPolicy Never every retry is a new pod with a new, empty emptyDir, so
# the cache is never there. With OnFailure the kubelet restarts the container in the same pod: the
# volume (and the cache) stays, and the second run succeeds. Under OnFailure the Job counts the
# container's restarts against backoffLimit, and gives up when they reach it: 1 would end the Job
# at the first restart, so allow 2. A Job's template cannot be changed: delete the Job and create
# it again from an edited copy.
kubectl delete job import -n "$NAMESPACE" --ignore-not-found
sed -e 's/restartPolicy: Never/restartPolicy: OnFailure/' -e 's/backoffLimit: 1/backoffLimit: 2/' manifests/exercises/04-import.yaml | kubectl apply -n "$NAMESPACE" -f -
kubectl wait --for=condition=Complete job/import -n "$NAMESPACE" --timeout=90s
