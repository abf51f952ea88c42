namespace Ekm.Benchmarks;

internal static class DataPathBenchmark
{
    public static int Run(string[] args) => args.Length == 0 ? 2 : 2;
}
