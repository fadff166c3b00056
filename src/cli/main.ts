console.log("flow cli placeholder", process.argv.slice(2).join(" "));
