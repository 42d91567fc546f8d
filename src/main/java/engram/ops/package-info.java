/**
 * Stateless graph helpers over TensorFlow ops: Keras-exact normalisations, losses, dropout, typed
 * constants and seed streams for stateless random ops. Depends on TensorFlow only.
 */
package engram.ops;
