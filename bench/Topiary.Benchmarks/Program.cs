// Topiary.Benchmarks entry point.
//   dotnet run -c Release --project bench/Topiary.Benchmarks -- quick [--json FILE]   quick ratio mode
//   dotnet run -c Release --project bench/Topiary.Benchmarks -- [BenchmarkDotNet args]  full suites
using BenchmarkDotNet.Running;
using Topiary.Benchmarks.Quick;

if (args.Length > 0 && args[0] == "quick")
    return QuickMode.Run(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(QuickMode).Assembly).Run(args);
return 0;
