# 练习 5.3：给第二个节点打上同样的昵称标签；DaemonSet 会在那个节点上添加一个 Pod。
nickname=$(kubectl get daemonset node-problem-detector-v0.1 -n "$NAMESPACE" -o jsonpath='{.spec.template.spec.nodeSelector.nodenickname}')
kubectl label node "$WORKSHOP_NODE" nodenickname="$nickname" --overwrite
kubectl rollout status daemonset/node-problem-detector-v0.1 -n "$NAMESPACE" --timeout=60s
