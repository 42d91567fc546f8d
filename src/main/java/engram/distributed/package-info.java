/**
 * Data-parallel training on TensorFlow's own runtime: replicas on several devices, gradient
 * all-reduce with TensorFlow's collective ops, and the graph surgery that puts each replica's
 * backward pass on its device.
 */
package engram.distributed;
