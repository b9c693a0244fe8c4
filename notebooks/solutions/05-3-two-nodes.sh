# Exercise 5.3: label the second node with the same nickname; the DaemonSet adds a pod there.
nickname=$(kubectl get daemonset node-problem-detector-v0.1 -n "$NAMESPACE" -o jsonpath='{.spec.template.spec.nodeSelector.nodenickname}')
kubectl label node "$WORKSHOP_NODE" nodenickname="$nickname" --overwrite
kubectl rollout status daemonset/node-problem-detector-v0.1 -n "$NAMESPACE" --timeout=60s
