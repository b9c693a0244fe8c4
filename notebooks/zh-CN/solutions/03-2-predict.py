# 练习 3.2：按公式算出的副本数远多于 6 个；maxReplicas 把它限制在 6。
prediction = 6
