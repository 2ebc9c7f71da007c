// Tiled matrix × matrix over F16 weights: see matmul.glsl.
#version 450
#define TYPE_F16
#include "matmul.glsl"
