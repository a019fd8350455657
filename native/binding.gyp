{
  "targets": [
    {
      "target_name": "emovox_torch",
      "sources": ["src/tensor.cc", "src/nn.cc", "src/optim.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node src/torch-config.mjs includes)"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "_GLIBCXX_USE_CXX11_ABI=<!(node src/torch-config.mjs abi)"
      ],
      "cflags!": ["-fno-exceptions", "-fno-rtti", "-O3"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14", "-std=gnu++17", "-std=gnu++20", "-O3"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": ["<!@(node src/torch-config.mjs libs)"],
      "ldflags": ["<!@(node src/torch-config.mjs ldflags)"]
    }
  ]
}
