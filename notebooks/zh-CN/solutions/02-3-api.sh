# 练习 2.3：新的 Pod 一直处于 Pending 状态；它的 FailedScheduling 事件说 "Insufficient cpu"：
# 新版本给每个 Pod 请求 6 个 CPU，而没有哪个节点有这么多。（在课堂上，是 ReplicaSet 的事件
# 说配额拒绝了这个 Pod。）把请求量改成一个 Pod 实际需要的，比半个 CPU 多一点。
kubectl set resources deployment/api -c api --requests=cpu=600m -n "$NAMESPACE"
kubectl rollout status deployment/api -n "$NAMESPACE" --timeout=90s
