# 练习 4.2：失败的 Pod 超过 backoffLimit（2）个时，Job 就会放弃，并保留这些 Pod：3 个。
prediction = 3
