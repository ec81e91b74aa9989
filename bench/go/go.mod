module lockstep.example/bench

go 1.19
