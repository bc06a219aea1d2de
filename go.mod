module github.com/cardpos/cardpos

go 1.26.8
