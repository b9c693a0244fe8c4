# 练习 2.2：`kubectl rollout history --revision=N` 显示每个修订版本的镜像；要回到的是运行
# jonbaier/pod-scaling:0.2 的那一个。每个 ReplicaSet 都在一个注解里记着自己的修订版本号，
# 所以一行命令就能找到它并回滚过去：
kubectl rollout undo deployment/node-js-deploy -n "$NAMESPACE" --to-revision="$(kubectl get replicasets -n "$NAMESPACE" -l name=node-js-deploy --no-headers -o 'custom-columns=REVISION:.metadata.annotations.deployment\.kubernetes\.io/revision,IMAGE:.spec.template.spec.containers[0].image' | awk '$2 == "jonbaier/pod-scaling:0.2" {print $1}')"
kubectl rollout status deployment/node-js-deploy -n "$NAMESPACE" --timeout=90s
