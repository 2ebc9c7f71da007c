// Tiled matrix × matrix over BF16 weights: see matmul.glsl.
#version 450
#define TYPE_BF16
#include "matmul.glsl"
