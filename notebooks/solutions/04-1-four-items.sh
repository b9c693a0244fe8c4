# Exercise 4.1: completions 4, parallelism 2.
cat <<'YAML' | kubectl apply -n "$NAMESPACE" -f -
apiVersion: batch/v1
kind: Job
metadata:
  name: four-items
spec:
  completions: 4
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: item
        image: busybox:1.36
        command: ["sleep", "3"]
YAML
