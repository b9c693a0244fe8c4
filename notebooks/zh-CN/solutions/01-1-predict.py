# 练习 1.1：ReplicaSet 会立即替换被删除的 Pod，所以又有 3 个 Pod 在运行。
prediction = 3
