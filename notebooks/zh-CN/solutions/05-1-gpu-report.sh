# 练习 5.1：Pod 处于 Pending 状态；它的 FailedScheduling 事件说，没有节点与它的 nodeSelector
# （accelerator=nvidia-tesla-t4）匹配。给一个节点打上这个标签，调度器就会把 Pod 调度过去。
kubectl label node "$WORKSHOP_NODE" accelerator=nvidia-tesla-t4 --overwrite
kubectl wait --for=condition=Complete job/gpu-report -n "$NAMESPACE" --timeout=90s
