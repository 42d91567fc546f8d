/**
 * Parameters and small layers: {@link engram.nn.ParamSet} (named VariableV2s read through
 * identity), Keras-exact {@link engram.nn.Initializer}s, {@link engram.nn.Dense}, {@link
 * engram.nn.LayerNorm}.
 */
package engram.nn;
