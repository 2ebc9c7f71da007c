// Matrix × vector over BF16 weights: see matvec.glsl.
#version 450
#define TYPE_BF16
#include "matvec.glsl"
