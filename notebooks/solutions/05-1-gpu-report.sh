# Exercise 5.1: the pod is Pending; its FailedScheduling event says no node matches its node
# selector (accelerator=nvidia-tesla-t4). Give a node that label: the scheduler places the pod.
kubectl label node "$WORKSHOP_NODE" accelerator=nvidia-tesla-t4 --overwrite
kubectl wait --for=condition=Complete job/gpu-report -n "$NAMESPACE" --timeout=90s
