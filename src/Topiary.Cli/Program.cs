// Entry point of the `topiary` command.
return await Topiary.Cli.CliApp.RunAsync(args);
